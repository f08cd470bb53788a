/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_model.c — libFuzzer target: the model file loader (tunefold model /
 * predict, tune_model_load) on arbitrary bytes.
 *
 * Each input is loaded twice: as it is (the header checks and the CRC-32
 * must refuse it cleanly), and with its payload length and checksum
 * recomputed, as a hostile writer would, so that mutations reach every
 * section parser and every trainer's load instead of stopping at the
 * checksum.  Whatever loads must then predict rows (zeros, and missing
 * values) without harm.  External models never run their program here
 * (allow_exec is off). */
#include "tunefold/model.h"
#include "src/model_io.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_load(const uint8_t *data, size_t size)
{
    struct tune_model *m = NULL;
    struct tune_error err;
    struct tune_model_load_options o = {.n_threads = 1, .allow_exec = 0};
    if (tune_model_load_bytes("fuzz.tfm", data, size, &o, &m, &err) != TUNE_OK)
        return;
    struct tune_model_info info;
    tune_model_get_info(m, &info);
    size_t d = info.n_inputs;
    double *rows = calloc(2 * d + 1, sizeof *rows);
    struct tune_predictions p;
    if (rows && tune_model_predictions_init(m, 2, &p, &err) == TUNE_OK) {
        for (size_t j = 0; j < d; j++)
            rows[d + j] = NAN;
        tune_model_predict_rows(m, rows, 2, &p, &err);
        tune_predictions_release(&p);
    }
    free(rows);
    tune_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_load(data, size);
    if (size < 44 || size > (1u << 24))
        return 0;
    uint8_t *b = malloc(size);
    if (!b)
        return 0;
    memcpy(b, data, size);
    uint64_t payload = size - 44;
    for (int i = 0; i < 8; i++)
        b[32 + i] = (uint8_t)(payload >> (8 * i));
    uint32_t crc = tune_crc32(0, b, size - 4);
    for (int i = 0; i < 4; i++)
        b[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
    try_load(b, size);
    free(b);
    return 0;
}
