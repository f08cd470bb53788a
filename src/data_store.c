/* SPDX-License-Identifier: GPL-3.0-or-later */
/* data_store.c — a study's data set kept in its store, so that a worker on
 * another machine needs only the store's URL (not the file at the same
 * path), and so that a study whose data file changed is caught.
 *
 * What is kept, when the study is created:
 *   - the blob "data.csv.z": the data file's bytes, deflated (zlib level 1:
 *     numeric CSV shrinks 2-3x at a few hundred MB/s) as the store writes
 *     it, a chunk at a time (tune_store_study_blob_save_from), so that it
 *     is never whole in memory beside the data set just loaded;
 *   - the attribute "data": {"file": NAME, "bytes": B, "rows": R,
 *     "columns": C, "checksum": "xxh64:HEX"}, the checksum being the XXH64 of
 *     the file's bytes as the CSV reader computes it while it reads.
 *
 * A worker without the file inflates the blob as it parses: a stdio stream
 * (fopencookie) hands the CSV reader inflated blocks, so the text is never
 * held whole; only the deflated blob and the parsed table are in memory.
 * The stream can seek (the reader goes back once over a column that mixes
 * numbers and text): backwards restarts the inflation.  The table's
 * checksum must equal the stored one, or the load fails. */
#define _GNU_SOURCE /* fopencookie */
#include "src/data_store.h"
#include "src/table.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BLOB_NAME "data.csv.z"
#define ATTR_NAME "data"

/* ---- deflating the file ---------------------------------------------------- */

/* The data file, deflated as the store reads it (a tune_blob_source): the
 * store writes each chunk as it comes, so the deflated file (some 200 MB
 * for a 400 MB numeric CSV) is never whole in memory beside the data set
 * just loaded from it. */
struct deflater {
    const char *path;
    FILE *f;
    z_stream z;
    int z_ready, at_eof, finished;
    uint64_t bytes;                  /* the file's bytes read so far */
    unsigned char in[1 << 16];
};

static int deflater_rewind(void *arg, struct tune_error *err)
{
    struct deflater *d = arg;
    if (!d->f && !(d->f = fopen(d->path, "rb")))
        return tune_error_set(err, TUNE_EIO, "%s: cannot open: %s", d->path, strerror(errno));
    if (fseek(d->f, 0, SEEK_SET) != 0)
        return tune_error_set(err, TUNE_EIO, "%s: cannot read: %s", d->path, strerror(errno));
    clearerr(d->f);
    if (!d->z_ready) {
        if (deflateInit(&d->z, 1) != Z_OK)
            return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory to compress", d->path);
        d->z_ready = 1;
    } else if (deflateReset(&d->z) != Z_OK) {
        return tune_error_set(err, TUNE_EIO, "%s: cannot compress", d->path);
    }
    d->z.next_in = d->in;
    d->z.avail_in = 0;
    d->at_eof = d->finished = 0;
    d->bytes = 0;
    return TUNE_OK;
}

/* zlib's loop: feed a block when the last is used up, deflate into the
 * caller's buffer until it is full or the stream ends. */
static int deflater_read(void *arg, void *buf, size_t cap, size_t *got,
                         struct tune_error *err)
{
    struct deflater *d = arg;
    uInt room = cap < (1u << 30) ? (uInt)cap : (1u << 30);
    d->z.next_out = buf;
    d->z.avail_out = room;
    while (d->z.avail_out > 0 && !d->finished) {
        if (d->z.avail_in == 0 && !d->at_eof) {
            size_t n = fread(d->in, 1, sizeof d->in, d->f);
            if (ferror(d->f))
                return tune_error_set(err, TUNE_EIO, "%s: read error", d->path);
            d->bytes += n;
            d->z.next_in = d->in;
            d->z.avail_in = (uInt)n;
            d->at_eof = n == 0 || feof(d->f);
        }
        int zr = deflate(&d->z, d->at_eof ? Z_FINISH : Z_NO_FLUSH);
        if (zr == Z_STREAM_END)
            d->finished = 1;
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return tune_error_set(err, TUNE_EIO, "%s: cannot compress", d->path);
    }
    *got = room - d->z.avail_out;
    return TUNE_OK;
}

int tune_data_store_save(struct tune_store *store, int64_t study_id, const char *path,
                         const struct tune_dataset *ds, struct tune_error *err)
{
    struct deflater *d = calloc(1, sizeof *d);
    if (!d)
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
    d->path = path;
    struct tune_blob_source src = {deflater_read, deflater_rewind, d};
    int rc = tune_store_study_blob_save_from(store, study_id, BLOB_NAME, &src, err);
    uint64_t bytes = d->bytes;
    if (d->z_ready)
        deflateEnd(&d->z);
    if (d->f)
        fclose(d->f);
    free(d);
    if (rc)
        return rc;
    const char *base = strrchr(path, '/');
    char sum[40], *text = NULL;
    snprintf(sum, sizeof sum, "xxh64:%016" PRIx64, ds->checksum);
    cJSON *a = cJSON_CreateObject();
    if (a && cJSON_AddStringToObject(a, "file", base ? base + 1 : path) &&
        cJSON_AddNumberToObject(a, "bytes", (double)bytes) &&
        cJSON_AddNumberToObject(a, "rows", (double)ds->n_rows) &&
        cJSON_AddNumberToObject(a, "columns", (double)ds->n_cols_file) &&
        cJSON_AddStringToObject(a, "checksum", sum))
        text = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    if (!text)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    rc = tune_store_study_set_attr(store, study_id, ATTR_NAME, text, err);
    cJSON_free(text);
    return rc;
}

int tune_data_store_info(struct tune_store *store, int64_t study_id,
                         struct tune_data_info *info, struct tune_error *err)
{
    char *text = NULL;
    memset(info, 0, sizeof *info);
    int rc = tune_store_study_get_attr(store, study_id, ATTR_NAME, &text, err);
    if (rc)
        return rc;
    cJSON *a = cJSON_Parse(text);
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(a, "file"),
                *bytes = cJSON_GetObjectItemCaseSensitive(a, "bytes"),
                *rows = cJSON_GetObjectItemCaseSensitive(a, "rows"),
                *cols = cJSON_GetObjectItemCaseSensitive(a, "columns"),
                *sum = cJSON_GetObjectItemCaseSensitive(a, "checksum");
    if (!cJSON_IsString(file) || !cJSON_IsNumber(bytes) || !cJSON_IsNumber(rows) ||
        !cJSON_IsNumber(cols) || !cJSON_IsString(sum) ||
        sscanf(sum->valuestring, "xxh64:%16" SCNx64, &info->checksum) != 1)
        rc = tune_error_set(err, TUNE_ESTORE, "the study's \"data\" attribute is damaged: %s",
                            text);
    else {
        snprintf(info->file, sizeof info->file, "%s", file->valuestring);
        info->bytes = (uint64_t)bytes->valuedouble;
        info->rows = (size_t)rows->valuedouble;
        info->columns = (size_t)cols->valuedouble;
    }
    cJSON_Delete(a);
    free(text);
    return rc;
}

/* ---- inflating as the reader reads ------------------------------------------ */

struct inflater {
    const unsigned char *z;   /* the deflated bytes */
    size_t zlen;
    z_stream s;
    int live, done, failed;
    uint64_t pos;             /* inflated bytes handed out so far */
};

static int inflater_restart(struct inflater *in)
{
    if (in->live)
        inflateEnd(&in->s);
    memset(&in->s, 0, sizeof in->s);
    in->s.next_in = (unsigned char *)in->z;
    in->s.avail_in = (uInt)in->zlen;
    in->live = inflateInit(&in->s) == Z_OK;
    in->done = 0;
    in->pos = 0;
    return in->live ? 0 : -1;
}

static ssize_t inflater_read(void *cookie, char *buf, size_t size)
{
    struct inflater *in = cookie;
    if (in->failed || !in->live)
        return -1;
    if (in->done || size == 0)
        return 0;
    in->s.next_out = (unsigned char *)buf;
    in->s.avail_out = (uInt)(size > (1u << 30) ? (1u << 30) : size);
    uInt asked = in->s.avail_out;
    int zr = inflate(&in->s, Z_NO_FLUSH);
    if (zr == Z_STREAM_END)
        in->done = 1;
    else if (zr != Z_OK && !(zr == Z_BUF_ERROR && in->s.avail_out < asked)) {
        in->failed = 1;
        return -1;
    }
    size_t got = asked - in->s.avail_out;
    in->pos += got;
    return (ssize_t)got;
}

static int inflater_seek(void *cookie, off64_t *offset, int whence)
{
    struct inflater *in = cookie;
    if (whence != SEEK_SET || *offset < 0)
        return -1;
    uint64_t want = (uint64_t)*offset;
    if (want < in->pos && inflater_restart(in))
        return -1;
    char skip[1 << 15];
    while (in->pos < want) {
        size_t n = want - in->pos < sizeof skip ? (size_t)(want - in->pos) : sizeof skip;
        ssize_t got = inflater_read(in, skip, n);
        if (got <= 0)
            return -1;
    }
    *offset = (off64_t)in->pos;
    return 0;
}

int tune_data_store_load(struct tune_store *store, int64_t study_id, const char *target,
                         enum tune_task task, const struct tune_csv_options *opts,
                         struct tune_dataset **out, struct tune_error *err)
{
    struct tune_data_info info;
    void *z = NULL;
    size_t zlen = 0;
    *out = NULL;
    int rc = tune_data_store_info(store, study_id, &info, err);
    if (!rc)
        rc = tune_store_study_blob_load(store, study_id, BLOB_NAME, &z, &zlen, err);
    if (rc)
        return rc;
    struct inflater in = {.z = z, .zlen = zlen};
    cookie_io_functions_t io = {.read = inflater_read, .seek = inflater_seek};
    FILE *f = inflater_restart(&in) ? NULL : fopencookie(&in, "r", io);
    if (!f) {
        if (in.live)
            inflateEnd(&in.s);
        free(z);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory to read the stored data");
    }
    char name[300];
    snprintf(name, sizeof name, "%s (kept in the store)", info.file);
    rc = tune_dataset_load_stream(name, f, info.bytes, target, task, opts, out, err);
    fclose(f);
    int failed = in.failed;
    inflateEnd(&in.s);
    free(z);
    if (!rc && (failed || (*out)->checksum != info.checksum)) {
        uint64_t got = (*out)->checksum;
        tune_dataset_free(*out);
        *out = NULL;
        return tune_error_set(err, TUNE_ESTORE,
                              "%s: the data kept in the store is damaged (checksum %016" PRIx64
                              ", expected %016" PRIx64 ")",
                              name, got, info.checksum);
    }
    if (rc == TUNE_OK || rc == TUNE_ENOMEM)
        return rc;
    /* the bytes were checked when stored: a reading error now is damage */
    return failed ? tune_error_set(err, TUNE_ESTORE,
                                   "%s: the data kept in the store cannot be inflated", name)
                  : rc;
}
