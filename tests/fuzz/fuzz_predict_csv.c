/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_predict_csv.c — libFuzzer target: `tunefold predict`'s CSV stream
 * (tune_model_predict_csv: the block reader of src/csv_rows.c, the one-pass
 * fast path and the general tokenizer, level lookup, unseen categories,
 * kept columns) on arbitrary bytes, with the model
 * tests/fuzz/corpus/model/text.tfm (inputs x, kind — a text column with a
 * quoted level — and size; made by tests/fuzz/make_model_corpus.sh).  Run
 * from the project root, as `make fuzz` and `make test` do.  Each input is
 * predicted with small blocks on one and on two threads, with and without
 * --unseen zero and a kept column; where both succeed the outputs must be
 * the same bytes. */
#include "tunefold/model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(const struct tune_model *m, const uint8_t *data, size_t size,
               const struct tune_model_csv_options *o, char **out, size_t *len)
{
    struct tune_error err;
    FILE *in = fmemopen((void *)data, size, "rb");
    FILE *of = open_memstream(out, len);
    int rc = in && of ? tune_model_predict_csv(m, in, "fuzz.csv", of, o, NULL, &err) : -1;
    if (of)
        fclose(of);
    if (in)
        fclose(in);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tune_model *m = NULL;
    struct tune_error err;
    if (size == 0 ||
        tune_model_load("tests/fuzz/corpus/model/text.tfm", NULL, &m, &err) != TUNE_OK)
        return 0;
    static const char *const keep[] = {"kind", NULL};
    for (int variant = 0; variant < 2; variant++) {
        struct tune_model_csv_options o1 = {.n_threads = 1, .block_bytes = 4096,
                                            .unseen_zero = variant,
                                            .keep = variant ? keep : NULL};
        struct tune_model_csv_options o2 = o1;
        o2.n_threads = 2;
        char *a = NULL, *b = NULL;
        size_t la = 0, lb = 0;
        int ra = run(m, data, size, &o1, &a, &la);
        int rb = run(m, data, size, &o2, &b, &lb);
        if (ra == TUNE_OK && rb == TUNE_OK && (la != lb || memcmp(a, b, la) != 0))
            abort(); /* the thread count changed the output */
        free(a);
        free(b);
    }
    tune_model_free(m);
    return 0;
}
