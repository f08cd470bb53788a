/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model.c — the model file (tunefold/model.h): its layout, saving, loading
 * with every check, what a model says about itself, and prediction of rows
 * given in memory.
 *
 * Layout (format 1).  Everything little-endian:
 *
 *   offset  size  field
 *        0     8  magic 89 54 46 4D 0D 0A 1A 0A ("\x89TFM\r\n\x1a\n": a
 *                 high byte and both line ends catch a transfer in text mode)
 *        8     4  format version (u32): TUNE_MODEL_FORMAT
 *       12     4  flags (u32): 0; a reader refuses bits it does not know
 *       16    16  the writer's tunefold version, ASCII, NUL-padded
 *       32     8  payload length L (u64)
 *       40     L  payload: sections
 *   40 + L     4  CRC-32 of bytes [0, 40 + L)
 *
 * The magic, the format version and the writer's version stay at these
 * offsets in every future format, so an old tunefold can say which version
 * wrote a file it cannot read.  A section is a 4-letter ASCII tag, u32 flags
 * (bit 0: a reader that does not know the tag must refuse the file), u64
 * length n and n bytes; known sections must be read to their last byte.
 * Format 1 writes, in order:
 *   META  versions, time, task, trainer, study, trial, params, objective,
 *         data path and SHA-256, rows, target, fit seconds
 *   PARM  the trainer's parameters: name and value as text
 *   COLS  the input columns: name, kind, levels (in code order)
 *   PREP  the fitted preprocessing (tune_prep_save)
 *   CLAS  the class names, in code order (classification only)
 *   METR  the trial's cross-validated metrics: name, mean, std, folds
 *   MODL  the trainer's fitted model (its save method)
 * Strings are a u64 length and bytes, counts u64, doubles their IEEE bits.
 *
 * Loading checks, in this order: the magic; the format (a newer one is
 * refused naming the version that wrote it); the header flags; that the file
 * is exactly header + payload + checksum long (a truncated copy says so);
 * the CRC-32; then every section through the bounded reader of
 * src/model_io.c; and finally one prediction of a row of zeros, so that a
 * trainer payload that does not fit the preprocessing or the classes is
 * refused at load rather than at the first real row.
 *
 * Threads: a model is read-only once loaded.  Trainers whose predict is not
 * parallel-safe (their flags lack TUNE_TRAINER_PREDICT_PARALLEL: the ones
 * calling Debian's serial OpenBLAS, which must not run on two threads at
 * once) are serialized on one process-wide mutex — a lock, not state: it
 * changes no result. */
#include "src/model_impl.h"
#include "src/model_io.h"
#include "tunefold/external.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TUNE_VERSION
#define TUNE_VERSION "unknown"
#endif

static const unsigned char MAGIC[8] = {0x89, 'T', 'F', 'M', '\r', '\n', 0x1a, '\n'};
#define HEADER_BYTES 40
#define TRAILER_BYTES 4
#define SECTION_REQUIRED 1u
/* Names, levels and class names at most this long, and this many of them:
 * far beyond any real data, and they keep a hostile file's strings small. */
#define MAX_NAME 65536
#define MAX_COLUMNS 10000000
#define MAX_LEVELS 100000000

static pthread_mutex_t serial_predict = PTHREAD_MUTEX_INITIALIZER;

/* ---- freeing --------------------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void tune_model_free(struct tune_model *m)
{
    if (!m)
        return;
    if (m->model && m->type)
        m->type->free_model(m->model);
    if (m->owned_type)
        tune_external_type_free(m->owned_type);
    free(m->tunefold_version);
    free(m->trainer_name);
    free(m->trainer_detail);
    free(m->study);
    free(m->params_json);
    free(m->metric);
    free(m->data_path);
    free(m->target);
    free_strv(m->param_names, m->n_params);
    free_strv(m->param_texts, m->n_params);
    for (size_t j = 0; m->inputs && j < m->n_inputs; j++) {
        free(m->inputs[j].name);
        free_strv(m->inputs[j].levels, m->inputs[j].n_levels);
        if (m->index)
            free(m->index[j].slot);
    }
    free(m->inputs);
    free(m->index);
    tune_prep_free(m->prep);
    free_strv(m->feature_names, m->n_features);
    free_strv(m->class_names, m->n_classes);
    for (size_t i = 0; m->metrics && i < m->n_metrics; i++)
        free((char *)m->metrics[i].name);
    free(m->metrics);
    free(m->name);
    free(m);
}

/* ---- derived parts: level indexes and feature names ------------------------- */

static uint64_t fnv1a(const char *p, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

long tune_model_level_lookup(const struct tune_model *m, size_t j, const char *text, size_t len)
{
    const struct level_index *ix = &m->index[j];
    if (!ix->n_slots)
        return -1;
    char *const *levels = m->inputs[j].levels;
    for (size_t s = (size_t)fnv1a(text, len) & (ix->n_slots - 1);; s = (s + 1) & (ix->n_slots - 1)) {
        long code = ix->slot[s];
        if (code < 0)
            return -1;
        const char *lv = levels[code];
        if (strncmp(lv, text, len) == 0 && lv[len] == '\0')
            return code;
    }
}

int tune_model_finish(struct tune_model *m, struct tune_error *err)
{
    m->index = calloc(m->n_inputs ? m->n_inputs : 1, sizeof *m->index);
    if (!m->index)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the model's columns");
    for (size_t j = 0; j < m->n_inputs; j++) {
        const struct tune_column *c = &m->inputs[j];
        if (c->kind != TUNE_COL_CATEGORICAL || c->n_levels == 0)
            continue;
        size_t n = 16;
        while (n < 2 * c->n_levels)
            n *= 2;
        struct level_index *ix = &m->index[j];
        ix->slot = malloc(n * sizeof *ix->slot);
        if (!ix->slot)
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for the levels of '%s'",
                                  c->name);
        ix->n_slots = n;
        for (size_t s = 0; s < n; s++)
            ix->slot[s] = -1;
        for (size_t l = 0; l < c->n_levels; l++) {
            size_t len = strlen(c->levels[l]);
            if (tune_model_level_lookup(m, j, c->levels[l], len) >= 0)
                return tune_error_set(err, TUNE_EINVAL, "column '%s': level '%.100s' appears "
                                      "twice", c->name, c->levels[l]);
            size_t s = (size_t)fnv1a(c->levels[l], len) & (n - 1);
            while (ix->slot[s] >= 0)
                s = (s + 1) & (n - 1);
            ix->slot[s] = (long)l;
        }
    }
    m->n_features = tune_prep_n_out(m->prep);
    m->feature_names = calloc(m->n_features + 1, sizeof *m->feature_names);
    if (!m->feature_names)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the model's columns");
    struct tune_dataset ds = {.n_features = m->n_inputs, .features = m->inputs};
    for (size_t f = 0; f < m->n_features; f++) {
        char buf[2 * MAX_NAME + 2];
        tune_prep_out_name(m->prep, &ds, f, buf, sizeof buf);
        if (!(m->feature_names[f] = strdup(buf)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for the model's columns");
    }
    return TUNE_OK;
}

/* ---- writing ------------------------------------------------------------------ */

/* Open a section: its tag, flags and a length patched by section_end. */
static size_t section_begin(struct tune_model_writer *w, const char *tag, uint32_t flags)
{
    tune_model_put_bytes(w, tag, 4);
    tune_model_put_u32(w, flags);
    size_t at = w->len;
    tune_model_put_u64(w, 0);
    return at;
}

static void section_end(struct tune_model_writer *w, size_t at)
{
    tune_model_writer_patch_u64(w, at, (uint64_t)(w->len - at - 8));
}

static void put_meta(struct tune_model_writer *w, const struct tune_model *m)
{
    tune_model_put_str(w, m->tunefold_version);
    tune_model_put_f64(w, m->created);
    tune_model_put_u32(w, (uint32_t)m->task);
    tune_model_put_str(w, m->trainer_name);
    tune_model_put_str(w, m->trainer_detail);
    tune_model_put_str(w, m->study);
    tune_model_put_u64(w, (uint64_t)(int64_t)m->trial);
    tune_model_put_str(w, m->params_json);
    tune_model_put_str(w, m->metric);
    tune_model_put_u32(w, m->maximize ? 1u : 0u);
    tune_model_put_f64(w, m->value);
    tune_model_put_f64(w, m->value_std);
    tune_model_put_str(w, m->data_path);
    tune_model_put_str(w, m->data_sha256);
    tune_model_put_u64(w, m->n_rows);
    tune_model_put_str(w, m->target);
    tune_model_put_f64(w, m->fit_seconds);
}

int tune_model_to_bytes(const struct tune_model *m, void **data, size_t *len,
                        struct tune_error *err)
{
    struct tune_model_writer w;
    tune_model_writer_init(&w, err);
    *data = NULL;
    *len = 0;
    char version[16] = {0};
    strncpy(version, TUNE_VERSION, sizeof version - 1);
    tune_model_put_bytes(&w, MAGIC, sizeof MAGIC);
    tune_model_put_u32(&w, TUNE_MODEL_FORMAT);
    tune_model_put_u32(&w, 0);
    tune_model_put_bytes(&w, version, sizeof version);
    tune_model_put_u64(&w, 0); /* the payload length, patched below */

    size_t at = section_begin(&w, "META", SECTION_REQUIRED);
    put_meta(&w, m);
    section_end(&w, at);

    at = section_begin(&w, "PARM", SECTION_REQUIRED);
    tune_model_put_u64(&w, m->n_params);
    for (size_t i = 0; i < m->n_params; i++) {
        tune_model_put_str(&w, m->param_names[i]);
        tune_model_put_str(&w, m->param_texts[i]);
    }
    section_end(&w, at);

    at = section_begin(&w, "COLS", SECTION_REQUIRED);
    tune_model_put_u64(&w, m->n_inputs);
    for (size_t j = 0; j < m->n_inputs; j++) {
        const struct tune_column *c = &m->inputs[j];
        tune_model_put_str(&w, c->name);
        tune_model_put_u32(&w, (uint32_t)c->kind);
        tune_model_put_u64(&w, c->kind == TUNE_COL_CATEGORICAL ? c->n_levels : 0);
        for (size_t l = 0; c->kind == TUNE_COL_CATEGORICAL && l < c->n_levels; l++)
            tune_model_put_str(&w, c->levels[l]);
    }
    section_end(&w, at);

    at = section_begin(&w, "PREP", SECTION_REQUIRED);
    tune_prep_save(m->prep, &w);
    section_end(&w, at);

    if (m->n_classes) {
        at = section_begin(&w, "CLAS", SECTION_REQUIRED);
        tune_model_put_u64(&w, m->n_classes);
        for (size_t k = 0; k < m->n_classes; k++)
            tune_model_put_str(&w, m->class_names[k]);
        section_end(&w, at);
    }

    at = section_begin(&w, "METR", 0);
    tune_model_put_u64(&w, m->n_metrics);
    for (size_t i = 0; i < m->n_metrics; i++) {
        tune_model_put_str(&w, m->metrics[i].name);
        tune_model_put_f64(&w, m->metrics[i].mean);
        tune_model_put_f64(&w, m->metrics[i].std);
        tune_model_put_u64(&w, m->metrics[i].n_folds);
    }
    section_end(&w, at);

    at = section_begin(&w, "MODL", SECTION_REQUIRED);
    int rc = w.failed ? (err ? err->code : TUNE_ENOMEM) : tune_trainer_save(m->type, m->model, &w, err);
    section_end(&w, at);
    if (!rc && w.failed)
        rc = err ? err->code : TUNE_ENOMEM;
    if (rc) {
        tune_model_writer_release(&w);
        return rc;
    }
    tune_model_writer_patch_u64(&w, 32, (uint64_t)(w.len - HEADER_BYTES));
    uint32_t crc = tune_crc32(0, w.buf, w.len);
    if ((rc = tune_model_put_u32(&w, crc))) {
        tune_model_writer_release(&w);
        return rc;
    }
    *data = w.buf;
    *len = w.len;
    return TUNE_OK;
}

int tune_model_save(const struct tune_model *m, const char *path, struct tune_error *err)
{
    void *data;
    size_t len;
    int rc = tune_model_to_bytes(m, &data, &len, err);
    if (rc)
        return rc;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(data);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc = tune_error_set(err, TUNE_EIO, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    fchmod(fd, 0644);
    size_t off = 0;
    while (off < len) {
        ssize_t k = write(fd, (const char *)data + off, len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = tune_error_set(err, TUNE_EIO, "cannot write %s: %s", path, strerror(errno));
            break;
        }
        off += (size_t)k;
    }
    if (close(fd) != 0 && !rc)
        rc = tune_error_set(err, TUNE_EIO, "cannot write %s: %s", path, strerror(errno));
    if (!rc && rename(tmp, path) != 0)
        rc = tune_error_set(err, TUNE_EIO, "cannot write %s: %s", path, strerror(errno));
    if (rc)
        unlink(tmp);
done:
    free(tmp);
    free(data);
    return rc;
}

/* ---- reading ------------------------------------------------------------------ */

static int get_name(struct tune_model_reader *r, const char *what, char **out)
{
    int rc = tune_model_get_str(r, out);
    if (!rc && strlen(*out) > MAX_NAME) {
        free(*out);
        *out = NULL;
        return tune_model_reader_fail(r, "%s longer than %d bytes", what, MAX_NAME);
    }
    return rc;
}

static int read_meta(struct tune_model_reader *r, struct tune_model *m)
{
    uint32_t task, maximize;
    uint64_t trial;
    char *sha = NULL;
    int rc;
    if ((rc = get_name(r, "the version", &m->tunefold_version)) ||
        (rc = tune_model_get_f64(r, &m->created)) || (rc = tune_model_get_u32(r, &task)) ||
        (rc = get_name(r, "the trainer's name", &m->trainer_name)) ||
        (rc = tune_model_get_str(r, &m->trainer_detail)) ||
        (rc = get_name(r, "the study's name", &m->study)) ||
        (rc = tune_model_get_u64(r, &trial)) || (rc = tune_model_get_str(r, &m->params_json)) ||
        (rc = get_name(r, "the metric", &m->metric)) || (rc = tune_model_get_u32(r, &maximize)) ||
        (rc = tune_model_get_f64(r, &m->value)) || (rc = tune_model_get_f64(r, &m->value_std)) ||
        (rc = tune_model_get_str(r, &m->data_path)) ||
        (rc = get_name(r, "the checksum", &sha)) ||
        (rc = tune_model_get_size(r, "rows", SIZE_MAX, 0, &m->n_rows)) ||
        (rc = get_name(r, "the target", &m->target)) ||
        (rc = tune_model_get_f64(r, &m->fit_seconds)))
        goto done;
    m->task = (enum tune_task)task;
    m->maximize = maximize != 0;
    m->trial = (int)(int64_t)trial;
    if (strcmp(tune_task_name(m->task), "unknown") == 0 || maximize > 1 ||
        (int64_t)trial < -1 || (int64_t)trial > INT32_MAX || strlen(sha) > 64) {
        rc = tune_model_reader_fail(r, "task %u, trial %lld", task, (long long)(int64_t)trial);
        goto done;
    }
    memcpy(m->data_sha256, sha, strlen(sha) + 1);
done:
    free(sha);
    return rc;
}

static int read_params(struct tune_model_reader *r, struct tune_model *m)
{
    size_t n;
    int rc = tune_model_get_size(r, "parameters", 100000, 16, &n);
    if (rc)
        return rc;
    m->param_names = calloc(n + 1, sizeof *m->param_names);
    m->param_texts = calloc(n + 1, sizeof *m->param_texts);
    if (!m->param_names || !m->param_texts)
        return tune_error_set(r->err, TUNE_ENOMEM, "out of memory");
    m->n_params = n;
    for (size_t i = 0; i < n; i++)
        if ((rc = get_name(r, "a parameter's name", &m->param_names[i])) ||
            (rc = tune_model_get_str(r, &m->param_texts[i])))
            return rc;
    return TUNE_OK;
}

static int read_columns(struct tune_model_reader *r, struct tune_model *m)
{
    size_t n;
    int rc = tune_model_get_size(r, "input columns", MAX_COLUMNS, 20, &n);
    if (rc)
        return rc;
    m->inputs = calloc(n + 1, sizeof *m->inputs);
    if (!m->inputs)
        return tune_error_set(r->err, TUNE_ENOMEM, "out of memory for %zu columns", n);
    for (size_t j = 0; j < n; j++) {
        struct tune_column *c = &m->inputs[j];
        uint32_t kind;
        size_t levels;
        m->n_inputs = j + 1;
        if ((rc = get_name(r, "a column's name", &c->name)) ||
            (rc = tune_model_get_u32(r, &kind)) ||
            (rc = tune_model_get_size(r, "levels", MAX_LEVELS, 8, &levels)))
            return rc;
        if (!c->name[0] || kind > TUNE_COL_CATEGORICAL ||
            (kind == TUNE_COL_NUMERIC && levels != 0))
            return tune_model_reader_fail(r, "column %zu ('%.100s') is of kind %u with %zu "
                                          "levels", j + 1, c->name, kind, levels);
        for (size_t i = 0; i < j; i++)
            if (strcmp(m->inputs[i].name, c->name) == 0)
                return tune_model_reader_fail(r, "column '%.100s' appears twice", c->name);
        c->kind = (enum tune_col_kind)kind;
        c->levels = calloc(levels + 1, sizeof *c->levels);
        if (!c->levels)
            return tune_error_set(r->err, TUNE_ENOMEM, "out of memory for %zu levels", levels);
        c->n_levels = levels;
        for (size_t l = 0; l < levels; l++)
            if ((rc = get_name(r, "a level", &c->levels[l])))
                return rc;
    }
    return TUNE_OK;
}

static int read_classes(struct tune_model_reader *r, struct tune_model *m)
{
    size_t k;
    int rc = tune_model_get_size(r, "classes", 65535, 8, &k);
    if (rc)
        return rc;
    m->class_names = calloc(k + 1, sizeof *m->class_names);
    if (!m->class_names)
        return tune_error_set(r->err, TUNE_ENOMEM, "out of memory");
    m->n_classes = k;
    for (size_t i = 0; i < k; i++)
        if ((rc = get_name(r, "a class name", &m->class_names[i])))
            return rc;
    return TUNE_OK;
}

static int read_metrics(struct tune_model_reader *r, struct tune_model *m)
{
    size_t n;
    int rc = tune_model_get_size(r, "metrics", 10000, 32, &n);
    if (rc)
        return rc;
    m->metrics = calloc(n + 1, sizeof *m->metrics);
    if (!m->metrics)
        return tune_error_set(r->err, TUNE_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char *name = NULL;
        struct tune_model_metric *mt = &m->metrics[i];
        rc = get_name(r, "a metric's name", &name);
        mt->name = name;
        m->n_metrics = i + 1;
        if (rc || (rc = tune_model_get_f64(r, &mt->mean)) ||
            (rc = tune_model_get_f64(r, &mt->std)) ||
            (rc = tune_model_get_size(r, "folds", 1000000, 0, &mt->n_folds)))
            return rc;
    }
    return TUNE_OK;
}

static int read_model(struct tune_model_reader *r, struct tune_model *m, struct tune_error *err)
{
    if (strcmp(m->trainer_name, "external") == 0) {
        int rc = tune_external_model_load(r, &m->owned_type, &m->model, err);
        m->type = m->owned_type;
        return rc;
    }
    m->type = tune_trainer_find(m->trainer_name);
    if (!m->type)
        return tune_error_set(err, TUNE_EINVAL, "%s: made by trainer '%.100s', which this "
                              "tunefold (%s) does not have; use the tunefold that wrote it "
                              "(%s)", r->name, m->trainer_name, TUNE_VERSION,
                              m->tunefold_version);
    if (!tune_trainer_can_save(m->type))
        return tune_error_set(err, TUNE_EINVAL, "%s: trainer '%s' cannot load models", r->name,
                              m->trainer_name);
    return tune_trainer_load(m->type, r, &m->model, err);
}

/* The sections tunefold knows, in the order format 1 writes them. */
enum { S_META, S_PARM, S_COLS, S_PREP, S_CLAS, S_METR, S_MODL, N_SECTIONS };
static const char *const section_tags[N_SECTIONS] = {"META", "PARM", "COLS", "PREP",
                                                     "CLAS", "METR", "MODL"};
static const char *const section_parts[N_SECTIONS] = {
    "header", "parameters", "columns", "preprocessing", "classes", "metrics", "trained model"};

static int read_sections(struct tune_model_reader *r, struct tune_model *m,
                         struct tune_error *err)
{
    int seen[N_SECTIONS] = {0};
    int rc;
    while (tune_model_reader_left(r) > 0) {
        char tag[5] = {0};
        uint32_t flags;
        size_t len;
        if ((rc = tune_model_get_bytes(r, tag, 4)) || (rc = tune_model_get_u32(r, &flags)) ||
            (rc = tune_model_get_size(r, "a section's length", SIZE_MAX, 1, &len)))
            return rc;
        int s = 0;
        while (s < N_SECTIONS && memcmp(tag, section_tags[s], 4) != 0)
            s++;
        struct tune_model_reader sub;
        if (s == N_SECTIONS) {
            for (int i = 0; i < 4; i++)
                if (tag[i] < 0x20 || tag[i] > 0x7e)
                    tag[i] = '?';
            if (flags & SECTION_REQUIRED)
                return tune_error_set(err, TUNE_EINVAL, "%s: has a section '%s' this tunefold "
                                      "(%s) does not know; it was written by tunefold %s",
                                      r->name, tag, TUNE_VERSION, m->tunefold_version
                                          ? m->tunefold_version : "?");
            tune_model_reader_sub(r, len, "section", &sub); /* skipped */
            continue;
        }
        if (seen[s]++)
            return tune_model_reader_fail(r, "section %s appears twice", section_tags[s]);
        /* the sections a later one relies on come first */
        if ((s != S_META && !seen[S_META]) || (s == S_PREP && !seen[S_COLS]) ||
            (s == S_MODL && (!seen[S_PREP] || !seen[S_PARM])))
            return tune_model_reader_fail(r, "section %s comes too early", section_tags[s]);
        if ((rc = tune_model_reader_sub(r, len, section_parts[s], &sub)))
            return rc;
        switch (s) {
        case S_META: rc = read_meta(&sub, m); break;
        case S_PARM: rc = read_params(&sub, m); break;
        case S_COLS: rc = read_columns(&sub, m); break;
        case S_PREP: rc = tune_prep_load(&sub, m->inputs, m->n_inputs, &m->prep, err); break;
        case S_CLAS: rc = read_classes(&sub, m); break;
        case S_METR: rc = read_metrics(&sub, m); break;
        case S_MODL: rc = read_model(&sub, m, err); break;
        }
        if (rc)
            return rc;
        if (tune_model_reader_left(&sub))
            return tune_model_reader_fail(&sub, "%zu bytes left over at the end",
                                          tune_model_reader_left(&sub));
    }
    for (int s = 0; s < N_SECTIONS; s++)
        if (!seen[s] && s != S_METR && (s != S_CLAS || m->task & (TUNE_TASK_BINARY |
                                                                  TUNE_TASK_MULTICLASS)))
            return tune_model_reader_fail(r, "no %s section", section_tags[s]);
    size_t k = m->n_classes;
    if (m->task == TUNE_TASK_BINARY ? k != 2
        : m->task == TUNE_TASK_MULTICLASS ? k < 2 : k != 0)
        return tune_model_reader_fail(r, "a %s model with %zu classes", tune_task_name(m->task),
                                      k);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->class_names[i], m->class_names[j]) == 0)
                return tune_model_reader_fail(r, "class '%.100s' appears twice",
                                              m->class_names[i]);
    return TUNE_OK;
}

/* One row of zeros through the trainer: its payload must fit the
 * preprocessing's columns and the classes. */
static int probe(struct tune_model *m, struct tune_error *err)
{
    if (m->owned_type)
        return TUNE_OK; /* an external program runs only when asked to predict */
    struct tune_predictions p;
    double *zeros = calloc(m->n_features + 1, sizeof *zeros);
    struct tune_matrix x = {1, m->n_features, zeros};
    int rc = zeros ? tune_model_predictions_init(m, 1, &p, err)
                   : tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (!rc) {
        rc = tune_model_predict_features(m, &x, &p, err);
        tune_predictions_release(&p);
        if (rc && rc != TUNE_ENOMEM)
            tune_error_prefix(err, "%s: the trained model does not fit its columns or "
                              "classes", m->name);
        if (rc && rc != TUNE_ENOMEM)
            rc = err ? (err->code = TUNE_EINVAL) : TUNE_EINVAL;
    }
    free(zeros);
    return rc;
}

int tune_model_load_bytes(const char *name, const void *data, size_t len,
                          const struct tune_model_load_options *opts, struct tune_model **out,
                          struct tune_error *err)
{
    const unsigned char *b = data;
    *out = NULL;
    if (len < 12 || memcmp(b, MAGIC, sizeof MAGIC) != 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: not a tunefold model file (it does not "
                              "start with the model magic)", name);
    uint32_t format = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 |
                      (uint32_t)b[11] << 24;
    char writer[17] = "?";
    if (len >= 32) {
        memcpy(writer, b + 16, 16);
        writer[16] = '\0';
        for (char *c = writer; *c; c++)
            if (*c < 0x20 || *c > 0x7e)
                *c = '?';
    }
    if (format > TUNE_MODEL_FORMAT)
        return tune_error_set(err, TUNE_EINVAL, "%s: model file format %u is newer than this "
                              "tunefold (%s) reads (format %d); it was written by tunefold "
                              "%s: predict with that version or a later one", name, format,
                              TUNE_VERSION, TUNE_MODEL_FORMAT, writer);
    if (format == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: damaged header (format 0)", name);
    if (len < HEADER_BYTES + TRAILER_BYTES)
        return tune_error_set(err, TUNE_EINVAL, "%s: truncated: %zu bytes, shorter than the "
                              "model header", name, len);
    struct tune_model_reader hdr;
    uint32_t flags;
    uint64_t payload;
    tune_model_reader_init(&hdr, b + 12, 28, 12, name, "header", 1, err);
    tune_model_get_u32(&hdr, &flags);
    hdr.pos += 16;
    tune_model_get_u64(&hdr, &payload);
    if (flags)
        return tune_error_set(err, TUNE_EINVAL, "%s: header flags %#x unknown to this "
                              "tunefold (%s); it was written by tunefold %s", name, flags,
                              TUNE_VERSION, writer);
    if (payload > len - HEADER_BYTES - TRAILER_BYTES)
        return tune_error_set(err, TUNE_EINVAL, "%s: truncated: the header promises %llu "
                              "bytes of model, the file holds %zu (an incomplete copy?)",
                              name, (unsigned long long)payload,
                              len - HEADER_BYTES - TRAILER_BYTES);
    if (payload < len - HEADER_BYTES - TRAILER_BYTES)
        return tune_error_set(err, TUNE_EINVAL, "%s: %zu bytes of garbage after the model",
                              name, (size_t)(len - HEADER_BYTES - TRAILER_BYTES - payload));
    size_t end = HEADER_BYTES + (size_t)payload;
    uint32_t stored = (uint32_t)b[end] | (uint32_t)b[end + 1] << 8 |
                      (uint32_t)b[end + 2] << 16 | (uint32_t)b[end + 3] << 24;
    uint32_t crc = tune_crc32(0, b, end);
    if (crc != stored)
        return tune_error_set(err, TUNE_EINVAL, "%s: checksum mismatch (stored %08x, computed "
                              "%08x): the file is damaged", name, stored, crc);

    struct tune_model *m = calloc(1, sizeof *m);
    if (!m || !(m->name = strdup(name))) {
        free(m);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    m->format = format;
    m->allow_exec = opts && opts->allow_exec;
    struct tune_model_reader r;
    tune_model_reader_init(&r, b + HEADER_BYTES, (size_t)payload, HEADER_BYTES, name, "model",
                           opts && opts->n_threads ? opts->n_threads : 1, err);
    int rc = read_sections(&r, m, err);
    if (!rc)
        rc = tune_model_finish(m, err);
    if (!rc)
        rc = probe(m, err);
    if (rc) {
        tune_model_free(m);
        return rc;
    }
    *out = m;
    return TUNE_OK;
}

int tune_model_load(const char *path, const struct tune_model_load_options *opts,
                    struct tune_model **out, struct tune_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tune_error_set(err, errno == ENOENT ? TUNE_EINVAL : TUNE_EIO, "%s: %s", path,
                              strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return tune_error_set(err, TUNE_EINVAL, "%s: not a regular file", path);
    }
    size_t len = (size_t)st.st_size;
    unsigned char *data = malloc(len ? len : 1);
    if (!data) {
        fclose(f);
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory for %zu bytes", path, len);
    }
    size_t got = fread(data, 1, len, f);
    int bad = ferror(f);
    fclose(f);
    int rc = bad ? tune_error_set(err, TUNE_EIO, "%s: read error", path)
                 : tune_model_load_bytes(path, data, got, opts, out, err);
    free(data);
    return rc;
}

/* ---- what it is ------------------------------------------------------------- */

void tune_model_get_info(const struct tune_model *m, struct tune_model_info *o)
{
    *o = (struct tune_model_info){
        .format = m->format ? m->format : TUNE_MODEL_FORMAT,
        .tunefold_version = m->tunefold_version,
        .created = m->created,
        .task = m->task,
        .trainer = m->trainer_name,
        .trainer_detail = m->trainer_detail ? m->trainer_detail : "",
        .study = m->study,
        .trial = m->trial,
        .params_json = m->params_json,
        .metric = m->metric,
        .maximize = m->maximize,
        .value = m->value,
        .value_std = m->value_std,
        .n_metrics = m->n_metrics,
        .metrics = m->metrics,
        .data_path = m->data_path,
        .data_sha256 = m->data_sha256,
        .n_rows = m->n_rows,
        .target = m->target ? m->target : "",
        .fit_seconds = m->fit_seconds,
        .prep = *tune_prep_config_of(m->prep),
        .n_inputs = m->n_inputs,
        .n_features = m->n_features,
        .n_classes = m->n_classes,
    };
}

const char *tune_model_input_name(const struct tune_model *m, size_t j)
{
    return j < m->n_inputs ? m->inputs[j].name : NULL;
}

int tune_model_input_is_categorical(const struct tune_model *m, size_t j)
{
    return j < m->n_inputs && m->inputs[j].kind == TUNE_COL_CATEGORICAL;
}

size_t tune_model_input_n_levels(const struct tune_model *m, size_t j)
{
    return tune_model_input_is_categorical(m, j) ? m->inputs[j].n_levels : 0;
}

const char *tune_model_input_level(const struct tune_model *m, size_t j, size_t level)
{
    return level < tune_model_input_n_levels(m, j) ? m->inputs[j].levels[level] : NULL;
}

long tune_model_input_find(const struct tune_model *m, const char *name)
{
    for (size_t j = 0; j < m->n_inputs; j++)
        if (strcmp(m->inputs[j].name, name) == 0)
            return (long)j;
    return -1;
}

long tune_model_level_code(const struct tune_model *m, size_t j, const char *text)
{
    if (!tune_model_input_is_categorical(m, j) || !text)
        return -1;
    return tune_model_level_lookup(m, j, text, strlen(text));
}

const char *tune_model_class_name(const struct tune_model *m, size_t k)
{
    return k < m->n_classes ? m->class_names[k] : NULL;
}

const char *tune_model_feature_name(const struct tune_model *m, size_t f)
{
    return f < m->n_features ? m->feature_names[f] : NULL;
}

size_t tune_model_n_params(const struct tune_model *m)
{
    return m->n_params;
}

void tune_model_param(const struct tune_model *m, size_t i, const char **name,
                      const char **text)
{
    *name = i < m->n_params ? m->param_names[i] : NULL;
    *text = i < m->n_params ? m->param_texts[i] : NULL;
}

/* ---- predicting ------------------------------------------------------------- */

int tune_model_predictions_init(const struct tune_model *m, size_t n,
                                struct tune_predictions *out, struct tune_error *err)
{
    int classes = m->task == TUNE_TASK_BINARY || m->task == TUNE_TASK_MULTICLASS;
    return tune_predictions_init(out, m->task, n, classes ? m->n_classes : 0, classes, err);
}

int tune_model_predict_features(const struct tune_model *m, const struct tune_matrix *x,
                                struct tune_predictions *out, struct tune_error *err)
{
    if (m->owned_type && !m->allow_exec)
        return tune_error_set(err, TUNE_EINVAL, "%s predicts by running a program (%s); allow "
                              "it only for a model you trust (tunefold predict --allow-exec; "
                              "allow_exec in tune_model_load)", m->name, m->trainer_detail);
    if (m->type->flags & TUNE_TRAINER_PREDICT_PARALLEL)
        return m->type->predict(m->model, x, out, err);
    pthread_mutex_lock(&serial_predict);
    int rc = m->type->predict(m->model, x, out, err);
    pthread_mutex_unlock(&serial_predict);
    return rc;
}

int tune_model_transform(const struct tune_model *m, const double *raw, size_t n,
                         struct tune_matrix *out, struct tune_error *err)
{
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for %zu rows", n);
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    struct tune_dataset ds = {.n_rows = n, .n_features = m->n_inputs, .features = m->inputs,
                              .x = (double *)raw, .task = m->task};
    int rc = tune_prep_transform(m->prep, &ds, rows, n, out, err);
    free(rows);
    return rc;
}

int tune_model_predict_rows(const struct tune_model *m, const double *x, size_t n,
                            struct tune_predictions *out, struct tune_error *err)
{
    size_t d = m->n_inputs;
    if (out->n < n)
        return tune_error_set(err, TUNE_EINVAL, "predictions made for %zu rows, %zu given",
                              out->n, n);
    int one_hot = tune_prep_config_of(m->prep)->one_hot;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double v = x[i * d + j];
            const struct tune_column *c = &m->inputs[j];
            if (c->kind != TUNE_COL_CATEGORICAL || isnan(v))
                continue;
            int code = v >= 0 && v < (double)c->n_levels && v == floor(v);
            if (!code && !(v == -1 && one_hot))
                return tune_error_set(err, TUNE_EINVAL, "row %zu, column '%s': %g is not a "
                                      "level code (0..%zu%s)", i, c->name, v,
                                      c->n_levels ? c->n_levels - 1 : 0,
                                      one_hot ? ", or -1 for an unseen level" : "");
        }
    /* column-major, as the preprocessing reads a dataset; -1 becomes a code
     * outside the levels, which one-hot encodes as zeros */
    double *raw = malloc((n * d + 1) * sizeof *raw);
    if (!raw)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for %zu rows", n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double v = x[i * d + j];
            raw[j * n + i] = v == -1 && m->inputs[j].kind == TUNE_COL_CATEGORICAL
                                 ? (double)m->inputs[j].n_levels
                                 : v;
        }
    struct tune_matrix feat;
    int rc = tune_model_transform(m, raw, n, &feat, err);
    free(raw);
    if (rc)
        return rc;
    struct tune_predictions view = *out;
    view.n = n;
    rc = tune_model_predict_features(m, &feat, &view, err);
    free(feat.data);
    return rc;
}

int tune_model_predict_row(const struct tune_model *m, const double *x,
                           struct tune_predictions *out, struct tune_error *err)
{
    return tune_model_predict_rows(m, x, 1, out, err);
}
