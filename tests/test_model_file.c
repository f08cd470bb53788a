/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_model_file.c — the model file and prediction from it (tunefold/model.h):
 * a refit model predicts bit for bit what the same pipeline built by hand
 * predicts; the file round-trips; damaged, truncated, hostile and newer
 * files are refused with TUNE_EINVAL and a message naming the problem;
 * prediction of rows in memory and of a CSV stream agree, whatever the
 * block size and thread count, and every bad-input case names its line and
 * column. */
#include "testutil.h"
#include "src/model_io.h"
#include "tunefold/model.h"
#include "tunefold/config.h"
#include "tunefold/store.h"
#include "tunefold/tunefold.h"

#include <stdint.h>

TestSuite(model_file, .init = tu_watchdog);

/* ---- a small study with text columns and missing values ---------------------- */

static const char *const colours[] = {"red", "green", "blue"};
static const char *const shapes[] = {"round", "\"sq,uare\"", "star"};

/* rows of: id, colour, size, weight, shape, target (yes/no) */
static char *make_csv(size_t n, unsigned seed)
{
    size_t cap = n * 80 + 100, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s, cap, "id,colour,size,weight,shape,target\n");
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        unsigned c = (unsigned)(x >> 33) % 3, sh = (unsigned)(x >> 40) % 3;
        double size = (double)((x >> 20) % 1000) / 37.0 - 9.5;
        double weight = (double)((x >> 45) % 500) / 13.0 + 2.385 * (double)c;
        int miss_c = (x >> 11) % 17 == 0, miss_s = (x >> 13) % 19 == 0;
        double score = 0.4 * size - 0.3 * weight + 2.0 * (c == 1) - (sh == 2) + 6.0;
        len += (size_t)snprintf(s + len, cap - len, "%zu,%s,", 1000 + i,
                                miss_c ? "" : colours[c]);
        if (miss_s)
            len += (size_t)snprintf(s + len, cap - len, "NA,");
        else
            len += (size_t)snprintf(s + len, cap - len, "%.17g,", size);
        len += (size_t)snprintf(s + len, cap - len, "%.17g,%s,%s\n", weight, shapes[sh],
                                score + 0.8 * (double)((x >> 7) % 5) - 1.6 > 0 ? "yes" : "no");
    }
    return s;
}

/* The study, with TRAINER and SPACE filled in. */
static const char study_json[] =
    "{\"name\": \"model-file-test\",\n"
    " \"data\": {\"path\": \"data.csv\", \"target\": \"target\"},\n"
    " \"task\": \"binary\",\n"
    " \"trainer\": %s,\n"
    " \"space\": %s,\n"
    " \"preprocess\": {\"impute\": \"median\", \"scale\": \"standard\", \"one_hot\": true},\n"
    " \"search\": {\"strategy\": \"random\", \"trials\": 3, \"seed\": 5},\n"
    " \"cv\": {\"folds\": 3},\n"
    " \"objective\": {\"metric\": \"roc_auc\"}}\n";

/* logistic: a BLAS-based predict; boosting: trees, the same bits whatever
 * the batch */
static const char *const logistic[2] = {
    "{\"name\": \"logistic\", \"params\": {\"tol\": 1e-8, \"max_iter\": 300}}",
    "{\"C\": {\"type\": \"float\", \"low\": 0.01, \"high\": 10, \"scale\": \"log\"}}"};
static const char *const boosting[2] = {
    "{\"name\": \"boosting\", \"params\": {\"n_estimators\": 20, \"max_depth\": 3}}",
    "{\"learning_rate\": {\"type\": \"float\", \"low\": 0.05, \"high\": 0.5}}"};

struct fixture {
    char *dir, *data, *study, *db;
    struct tune_study_config *cfg;
    struct tune_store *store;
    struct tune_study_info info;
    struct tune_trial best;
    struct tune_model *model;
};

static void fixture_open(struct fixture *f, const char *const trainer[2])
{
    memset(f, 0, sizeof *f);
    f->dir = tu_tmpdir();
    char *csv = make_csv(400, 11), json[4096];
    f->data = tu_write(f->dir, "data.csv", csv);
    free(csv);
    snprintf(json, sizeof json, study_json, trainer[0], trainer[1]);
    f->study = tu_write(f->dir, "study.json", json);
    f->db = malloc(strlen(f->dir) + 8);
    sprintf(f->db, "%s/t.db", f->dir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s run %s --db %s --quiet", tu_bin(), f->study, f->db);
    char *errout = NULL;
    cr_assert_eq(tu_run(cmd, NULL, &errout), 0, "%s", errout);
    free(errout);
    struct tune_error err = {0};
    cr_assert_eq(tune_config_load(f->study, &f->cfg, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_open(f->db, &f->store, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_find(f->store, f->cfg->name, &f->info, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_best(f->store, f->info.id, &f->best, &err), TUNE_OK);
    cr_assert_eq(tune_model_fit(f->cfg, &f->info, &f->best, NULL, &f->model, &err), TUNE_OK,
                 "%s", err.msg);
}

static void fixture_close(struct fixture *f)
{
    char cmd[1200];
    tune_model_free(f->model);
    tune_trial_release(&f->best);
    tune_study_info_release(&f->info);
    tune_store_close(f->store);
    tune_config_free(f->cfg);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f->dir);
    free(f->data);
    free(f->study);
    free(f->db);
}

/* The dataset's rows as model inputs, row-major: numbers, NaN, level codes
 * (the training file's own codes are the model's). */
static double *rows_of(const struct tune_dataset *ds)
{
    size_t n = ds->n_rows, d = ds->n_features;
    double *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = ds->x[j * n + i];
    return x;
}

/* ---- the refit model is the pipeline built by hand --------------------------- */

Test(model_file, a_fitted_model_predicts_what_the_same_pipeline_by_hand_predicts)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    struct tune_dataset *ds = NULL;
    cr_assert_eq(tune_dataset_load(f.cfg->data_path, "target", TUNE_TASK_BINARY, &ds, &err),
                 TUNE_OK);
    /* by hand: preprocessing on every row, logistic with the trial's params */
    size_t n = ds->n_rows, *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    struct tune_prep *prep = NULL;
    struct tune_matrix x;
    cr_assert_eq(tune_prep_fit(&f.cfg->prep, ds, rows, n, &prep, &err), TUNE_OK);
    cr_assert_eq(tune_prep_transform(prep, ds, rows, n, &x, &err), TUNE_OK);
    const struct tune_trainer_type *t = &tune_trainer_logistic;
    double values[16];
    cr_assert_eq(tune_config_resolve_params(f.cfg, f.best.params_json, "p", values, &err),
                 TUNE_OK, "%s", err.msg);
    const char *names[16], *strings[16];
    for (size_t i = 0; i < t->n_hparams; i++) {
        names[i] = t->hparams[i].name;
        strings[i] = t->hparams[i].choices ? t->hparams[i].choices[(size_t)values[i]] : NULL;
    }
    struct tune_params params = {t->n_hparams, names, values, strings};
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .n_threads = 1,
                               .fold = -1, .trial = -1};
    void *model = NULL;
    cr_assert_eq(t->fit(&x, ds->y, &ctx, &params, &model, &err), TUNE_OK);
    struct tune_predictions want, got;
    tune_predictions_init(&want, TUNE_TASK_BINARY, n, 2, 1, &err);
    cr_assert_eq(t->predict(model, &x, &want, &err), TUNE_OK);

    /* the model file's way: raw rows in, its own preprocessing */
    double *raw = rows_of(ds);
    cr_assert_eq(tune_model_predictions_init(f.model, n, &got, &err), TUNE_OK);
    cr_assert_eq(tune_model_predict_rows(f.model, raw, n, &got, &err), TUNE_OK, "%s", err.msg);
    cr_assert(memcmp(want.proba, got.proba, 2 * n * sizeof(double)) == 0,
              "probabilities differ from the pipeline built by hand");
    cr_assert(memcmp(want.label, got.label, n * sizeof(int)) == 0);

    /* one row at a time */
    struct tune_predictions one;
    tune_model_predictions_init(f.model, 1, &one, &err);
    for (size_t i = 0; i < n; i += 37) {
        cr_assert_eq(tune_model_predict_row(f.model, raw + i * ds->n_features, &one, &err),
                     TUNE_OK);
        /* logistic's scores are a BLAS product, whose kernels sum a row
         * differently by its place in the batch: a few ulps */
        assert_close(one.proba[1], want.proba[2 * i + 1], 1e-14);
    }
    /* what the model says about itself */
    struct tune_model_info mi;
    tune_model_get_info(f.model, &mi);
    cr_assert_str_eq(mi.trainer, "logistic");
    cr_assert_str_eq(mi.study, "model-file-test");
    cr_assert_eq(mi.trial, f.best.number);
    cr_assert_eq(mi.n_rows, 400);
    cr_assert_eq(mi.n_inputs, 5);
    cr_assert_eq(mi.n_features, 3 + 3 + 3); /* id, size, weight, colour x3, shape x3 */
    cr_assert_eq(mi.n_classes, 2);
    cr_assert_str_eq(tune_model_class_name(f.model, 0), "no");
    cr_assert_str_eq(tune_model_class_name(f.model, 1), "yes");
    cr_assert(isfinite(mi.value) && mi.value == f.best.value);
    char hex[65], *csv = tu_read(f.dir, "data.csv");
    tune_sha256_hex(csv, strlen(csv), hex);
    cr_assert_str_eq(mi.data_sha256, hex);
    char want_name[64];
    snprintf(want_name, sizeof want_name, "colour=%s", tune_model_input_level(f.model, 1, 0));
    cr_assert_str_eq(tune_model_feature_name(f.model, 3), want_name);
    cr_assert_eq(tune_model_level_code(f.model, 1, tune_model_input_level(f.model, 1, 2)), 2);
    cr_assert_eq(tune_model_input_n_levels(f.model, 1), 3);
    cr_assert_eq(tune_model_level_code(f.model, 1, "purple"), -1);
    cr_assert_eq(tune_model_input_find(f.model, "shape"), 4);

    free(csv);
    free(raw);
    free(rows);
    free(x.data);
    tune_predictions_release(&want);
    tune_predictions_release(&got);
    tune_predictions_release(&one);
    t->free_model(model);
    tune_prep_free(prep);
    tune_dataset_free(ds);
    fixture_close(&f);
}

/* ---- the file ------------------------------------------------------------------ */

static void fix_crc(unsigned char *b, size_t len)
{
    uint32_t crc = tune_crc32(0, b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

static void put32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static int load(const void *p, size_t len, struct tune_error *err)
{
    struct tune_model *m = NULL;
    int rc = tune_model_load_bytes("m.tfm", p, len, NULL, &m, err);
    if (rc == TUNE_OK) {
        /* whatever loaded must predict a row without harm */
        struct tune_predictions pr;
        double *row = calloc(tune_model_n_params(m) + 64, sizeof *row);
        struct tune_model_info mi;
        tune_model_get_info(m, &mi);
        double *x = calloc(mi.n_inputs + 1, sizeof *x);
        if (tune_model_predictions_init(m, 1, &pr, err) == TUNE_OK) {
            tune_model_predict_row(m, x, &pr, err);
            tune_predictions_release(&pr);
        }
        free(x);
        free(row);
        tune_model_free(m);
    }
    return rc;
}

Test(model_file, a_saved_model_file_loads_and_predicts_the_same)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    char path[1100];
    snprintf(path, sizeof path, "%s/m.tfm", f.dir);
    cr_assert_eq(tune_model_save(f.model, path, &err), TUNE_OK, "%s", err.msg);
    struct tune_model *m2 = NULL;
    cr_assert_eq(tune_model_load(path, NULL, &m2, &err), TUNE_OK, "%s", err.msg);
    void *a, *b;
    size_t la, lb;
    cr_assert_eq(tune_model_to_bytes(f.model, &a, &la, &err), TUNE_OK);
    cr_assert_eq(tune_model_to_bytes(m2, &b, &lb, &err), TUNE_OK);
    cr_assert_eq(la, lb);
    cr_assert(memcmp(a, b, la) == 0, "a loaded model saves to the same bytes");
    /* header: magic, format 1, the writer's version */
    cr_assert(memcmp(a, "\x89TFM\r\n\x1a\n", 8) == 0);
    cr_assert_eq(((unsigned char *)a)[8], 1);
    cr_assert_str_eq((char *)a + 16, tune_version());
    free(a);
    free(b);
    tune_model_free(m2);
    fixture_close(&f);
}

Test(model_file, damaged_truncated_and_hostile_files_are_refused_by_name)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    unsigned char *good;
    size_t len;
    cr_assert_eq(tune_model_to_bytes(f.model, (void **)&good, &len, &err), TUNE_OK);
    unsigned char *b = malloc(len + 64);

    /* every truncation */
    for (size_t cut = 0; cut < len; cut++) {
        cr_assert_eq(load(good, cut, &err), TUNE_EINVAL, "cut at %zu of %zu loaded", cut, len);
        cr_assert(strstr(err.msg, "m.tfm") == err.msg, "%s", err.msg);
    }
    cr_assert(strstr(err.msg, "truncated") != NULL, "%s", err.msg);
    /* trailing garbage */
    memcpy(b, good, len);
    memset(b + len, 'x', 10);
    cr_assert_eq(load(b, len + 10, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "10 bytes of garbage") != NULL, "%s", err.msg);
    /* one flipped bit anywhere: the checksum (or the header checks) catch it */
    for (size_t at = 0; at < len; at += 7) {
        memcpy(b, good, len);
        b[at] ^= 0x10;
        cr_assert_eq(load(b, len, &err), TUNE_EINVAL, "a flip at byte %zu loaded", at);
    }
    memcpy(b, good, len);
    b[len / 2] ^= 1;
    load(b, len, &err);
    cr_assert(strstr(err.msg, "checksum mismatch") != NULL, "%s", err.msg);
    /* hostile: bytes changed and the checksum recomputed, as an attacker
     * would; every outcome is a clean load or TUNE_EINVAL */
    uint64_t x = 99;
    for (size_t k = 0; k < 3000; k++) {
        memcpy(b, good, len);
        for (int r = 0; r < 1 + (int)(k % 3); r++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = 40 + (size_t)(x >> 33) % (len - 44);
            b[at] = k % 5 == 0 ? 0xff : (unsigned char)(x >> 20);
        }
        fix_crc(b, len);
        int rc = load(b, len, &err);
        cr_assert(rc == TUNE_OK || rc == TUNE_EINVAL, "hostile change %zu: status %d (%s)", k,
                  rc, err.msg);
    }
    /* not a model at all */
    cr_assert_eq(load("id,x\n1,2\n", 9, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "not a tunefold model file") != NULL, "%s", err.msg);
    free(b);
    free(good);
    fixture_close(&f);
}

Test(model_file, a_file_from_a_newer_tunefold_is_refused_naming_its_version)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    unsigned char *b;
    size_t len;
    cr_assert_eq(tune_model_to_bytes(f.model, (void **)&b, &len, &err), TUNE_OK);
    put32(b + 8, 2);
    memset(b + 16, 0, 16);
    memcpy(b + 16, "9.1.0", 5);
    fix_crc(b, len);
    cr_assert_eq(load(b, len, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "model file format 2 is newer than this tunefold") != NULL, "%s",
              err.msg);
    cr_assert(strstr(err.msg, "written by tunefold 9.1.0") != NULL, "%s", err.msg);
    /* an unknown header flag is refused the same way */
    put32(b + 8, 1);
    put32(b + 12, 4);
    fix_crc(b, len);
    cr_assert_eq(load(b, len, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "header flags") != NULL, "%s", err.msg);
    free(b);
    fixture_close(&f);
}

/* A section a later tunefold adds: optional ones are skipped, required
 * ones refuse the file. */
Test(model_file, unknown_sections_are_skipped_unless_required)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    unsigned char *good;
    size_t len;
    cr_assert_eq(tune_model_to_bytes(f.model, (void **)&good, &len, &err), TUNE_OK);
    for (uint32_t flags = 0; flags < 2; flags++) {
        size_t extra = 4 + 4 + 8 + 5;
        unsigned char *b = malloc(len + extra);
        memcpy(b, good, len - 4);
        unsigned char *s = b + len - 4;
        memcpy(s, "XTRA", 4);
        put32(s + 4, flags);
        memset(s + 8, 0, 8);
        s[8] = 5;
        memcpy(s + 16, "hello", 5);
        size_t nl = len + extra;
        uint64_t payload = nl - 44;
        for (int i = 0; i < 8; i++)
            b[32 + i] = (unsigned char)(payload >> (8 * i));
        fix_crc(b, nl);
        int rc = load(b, nl, &err);
        if (flags == 0)
            cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
        else {
            cr_assert_eq(rc, TUNE_EINVAL);
            cr_assert(strstr(err.msg, "section 'XTRA' this tunefold") != NULL, "%s", err.msg);
        }
        free(b);
    }
    free(good);
    fixture_close(&f);
}

/* ---- rows in memory: codes, unseen levels, bad codes ---------------------------- */

Test(model_file, an_unseen_level_is_all_zeros_and_a_bad_code_is_refused)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    struct tune_predictions p;
    tune_model_predictions_init(f.model, 1, &p, &err);
    /* id, colour, size, weight, shape */
    double row[5] = {1234, -1, 0.5, 3.25, (double)tune_model_level_code(f.model, 4, "star")};
    cr_assert_eq(tune_model_predict_row(f.model, row, &p, &err), TUNE_OK, "%s", err.msg);
    double unseen = p.proba[1];
    row[1] = NAN; /* missing: imputed with the most frequent colour */
    cr_assert_eq(tune_model_predict_row(f.model, row, &p, &err), TUNE_OK);
    cr_assert_neq(p.proba[1], unseen);
    row[1] = 3; /* no such level */
    cr_assert_eq(tune_model_predict_row(f.model, row, &p, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "row 0, column 'colour': 3 is not a level code (0..2, or -1") !=
                  NULL, "%s", err.msg);
    tune_predictions_release(&p);
    fixture_close(&f);
}

/* ---- a CSV stream -------------------------------------------------------------- */

/* Predict text with the model; returns the status, the output in *out. */
static int predict_text(const struct tune_model *m, const char *text,
                        const struct tune_model_csv_options *o, char **out,
                        struct tune_model_csv_stats *st, struct tune_error *err)
{
    FILE *in = fmemopen((void *)text, strlen(text), "rb");
    size_t olen = 0;
    FILE *of = open_memstream(out, &olen);
    int rc = tune_model_predict_csv(m, in, "new.csv", of, o, st, err);
    fclose(of);
    fclose(in);
    return rc;
}

Test(model_file, a_csv_stream_gives_the_same_lines_for_any_block_size_and_thread_count)
{
    struct fixture f;
    fixture_open(&f, boosting);
    struct tune_error err = {0};
    char *csv = make_csv(3000, 23);
    char *ref = NULL;
    struct tune_model_csv_options o = {.n_threads = 1, .block_bytes = 1 << 24};
    struct tune_model_csv_stats st;
    cr_assert_eq(predict_text(f.model, csv, &o, &ref, &st, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(st.rows, 3000);
    /* the lines are the model's predictions of the rows, %.17g */
    struct tune_dataset *ds = NULL;
    struct tune_table *t = NULL;
    cr_assert_eq(tune_table_parse_csv("new.csv", csv, strlen(csv), &t, &err), TUNE_OK);
    cr_assert_eq(tune_dataset_from_table(t, "target", TUNE_TASK_BINARY, &ds, &err), TUNE_OK);
    size_t n = ds->n_rows, d = ds->n_features;
    double *raw = malloc(n * d * sizeof *raw);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double v = ds->x[j * n + i];
            const struct tune_column *c = &ds->features[j];
            raw[i * d + j] = c->kind == TUNE_COL_CATEGORICAL && !isnan(v)
                                 ? (double)tune_model_level_code(f.model, j,
                                                                 c->levels[(size_t)v])
                                 : v;
        }
    struct tune_predictions p;
    tune_model_predictions_init(f.model, n, &p, &err);
    cr_assert_eq(tune_model_predict_rows(f.model, raw, n, &p, &err), TUNE_OK);
    const char *line = ref;
    cr_assert(strncmp(line, "label,score\n", 12) == 0);
    line += 12;
    for (size_t i = 0; i < n; i++) {
        char want[128];
        snprintf(want, sizeof want, "%s,%.17g\n", p.label[i] ? "yes" : "no", p.proba[2 * i + 1]);
        cr_assert(strncmp(line, want, strlen(want)) == 0, "row %zu: %.60s, want %s", i, line,
                  want);
        line += strlen(want);
    }
    cr_assert_eq(*line, '\0');
    /* any block size, any thread count: the same bytes */
    size_t blocks[] = {4096, 10000, 65536};
    for (size_t bi = 0; bi < 3; bi++)
        for (size_t threads = 1; threads <= 4; threads += 3) {
            char *got = NULL;
            o = (struct tune_model_csv_options){.n_threads = threads, .block_bytes = blocks[bi]};
            cr_assert_eq(predict_text(f.model, csv, &o, &got, &st, &err), TUNE_OK, "%s",
                         err.msg);
            cr_assert_str_eq(got, ref, "blocks of %zu bytes on %zu threads differ", blocks[bi],
                             threads);
            cr_assert_leq(st.peak_block_bytes, blocks[bi]);
            free(got);
        }
    tune_predictions_release(&p);
    free(raw);
    tune_dataset_free(ds);
    tune_table_free(t);
    free(ref);
    free(csv);
    fixture_close(&f);
}

Test(model_file, kept_columns_come_first_quoted_as_they_must_be)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    const char *csv = "\xef\xbb\xbfshape,weight,colour,size,id,note\r\n"
                      "round,3,red,1.5,7,\"a, b\"\r\n"
                      "\r\n"
                      "  star , 4 ,\"green\",NA,8,\"say \"\"hi\"\"\"\r\n";
    const char *keep[] = {"note", "id", NULL};
    struct tune_model_csv_options o = {.keep = keep, .n_threads = 2};
    char *out = NULL;
    cr_assert_eq(predict_text(f.model, csv, &o, &out, NULL, &err), TUNE_OK, "%s", err.msg);
    cr_assert(strncmp(out, "note,id,label,score\n\"a, b\",7,", 29) == 0, "%s", out);
    cr_assert(strstr(out, "\n\"say \"\"hi\"\"\",8,") != NULL, "%s", out);
    free(out);
    fixture_close(&f);
}

/* The CSV with field `field` (0 or 1: before any quoted field) of the row
 * whose id is `id` replaced by `text` (NULL: the row gets a 7th field). */
static char *edit_row(const char *csv, unsigned id, int field, const char *text)
{
    char key[32];
    snprintf(key, sizeof key, "\n%u,", id);
    const char *row = strstr(csv, key);
    cr_assert_not_null(row, "no row %u", id);
    row++;
    const char *start = row, *stop;
    if (field == 1)
        start = strchr(row, ',') + 1;
    stop = strchr(start, ',');
    const char *eol = strchr(row, '\n');
    size_t n = strlen(csv) + 64;
    char *out = malloc(n);
    if (!text) {
        snprintf(out, n, "%.*s,1%s", (int)(eol - csv), csv, eol);
        return out;
    }
    snprintf(out, n, "%.*s%s%s", (int)(start - csv), csv, text, stop);
    return out;
}

/* Each bad input is TUNE_EINVAL naming the file, the line and the column,
 * counted over blocks (the bad row is deep in the file). */
Test(model_file, every_bad_input_names_its_line_and_column)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    struct tune_model_csv_options o = {.n_threads = 3, .block_bytes = 4096};
    char *out = NULL, *csv = make_csv(1200, 23);
    struct {
        unsigned id;
        int field;
        const char *text, *want;
    } cases[] = {
        {1700, 0, "1700x", "new.csv:702:1: column 'id' holds the text '1700x', but the model "
                           "was trained on numbers there"},
        {1850, 1, "teal", "new.csv:852:2: column 'colour': category 'teal' was never seen in "
                          "training (--unseen zero encodes it as all zeros)"},
        {1900, 0, NULL, "new.csv:902: 7 fields, the header has 6"},
        {1950, 0, "\"19\"50", "new.csv:952:1: unexpected '5' after closing quote"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *bad = edit_row(csv, cases[k].id, cases[k].field, cases[k].text);
        cr_assert_eq(predict_text(f.model, bad, &o, &out, NULL, &err), TUNE_EINVAL);
        cr_assert_str_eq(err.msg, cases[k].want);
        /* the rows before the bad one were written, in order */
        size_t lines = 0;
        for (const char *c = out; *c; c++)
            lines += *c == '\n';
        cr_assert_leq(lines, cases[k].id - 1000 + 1);
        free(out);
        free(bad);
    }
    free(csv);
    /* a missing column, a repeated one */
    cr_assert_eq(predict_text(f.model, "id,colour,size,shape\n1,red,2,star\n", &o, &out, NULL,
                              &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "new.csv:1: no column 'weight', which the model needs (its "
                              "input columns: id, colour, size, weight, shape)");
    free(out);
    cr_assert_eq(predict_text(f.model, "id,colour,size,weight,shape,id\n", &o, &out, NULL, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "new.csv:1:6: column 'id' appears twice in the header (also "
                              "column 1)");
    free(out);
    const char *keep[] = {"nope", NULL};
    o.keep = keep;
    cr_assert_eq(predict_text(f.model, "id,colour,size,weight,shape\n", &o, &out, NULL, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "new.csv:1: no column 'nope' to keep");
    free(out);
    fixture_close(&f);
}

Test(model_file, unseen_categories_can_be_encoded_as_zeros_and_counted)
{
    struct fixture f;
    fixture_open(&f, logistic);
    struct tune_error err = {0};
    const char *csv = "id,colour,size,weight,shape\n1,teal,2,3,star\n2,red,2,3,oval\n"
                      "3,red,2,3,star\n";
    struct tune_model_csv_options o = {.unseen_zero = 1, .n_threads = 1};
    struct tune_model_csv_stats st;
    char *out = NULL;
    cr_assert_eq(predict_text(f.model, csv, &o, &out, &st, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(st.rows, 3);
    cr_assert_eq(st.unseen, 2);
    cr_assert_str_eq(st.unseen_example, "line 2, column 'colour': 'teal'");
    /* the same as the in-memory API's -1 */
    struct tune_predictions p;
    tune_model_predictions_init(f.model, 1, &p, &err);
    double row[5] = {1, -1, 2, 3, (double)tune_model_level_code(f.model, 4, "star")};
    tune_model_predict_row(f.model, row, &p, &err);
    char want[80];
    snprintf(want, sizeof want, "label,score\n%s,%.17g\n", p.label[0] ? "yes" : "no",
             p.proba[1]);
    cr_assert(strncmp(out, want, strlen(want)) == 0, "%s vs %s", out, want);
    tune_predictions_release(&p);
    free(out);
    fixture_close(&f);
}
