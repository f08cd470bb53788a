/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_fuzz_corpus.c — replays the committed fuzz corpus (tests/fuzz/corpus/
 * <target>/) through the fuzz targets, so every input that ever crashed a
 * parser stays a regression test in `make test` and `make asan`.  The
 * targets themselves are run by `make fuzz` under libFuzzer. */
#include "testutil.h"

#include <dirent.h>

#define LLVMFuzzerTestOneInput fuzz_csv_one
#include "fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_config_one
#include "fuzz/fuzz_config.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_predictions_one
#include "fuzz/fuzz_predictions.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_model_one
#include "fuzz/fuzz_model.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_predict_csv_one
#define run run_predict_csv
#include "fuzz/fuzz_predict_csv.c"
#undef run
#undef LLVMFuzzerTestOneInput

static size_t replay(const char *dir, int (*one)(const uint8_t *, size_t))
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no corpus folder %s", dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
        size_t got = fread(buf, 1, (size_t)(len > 0 ? len : 0), f);
        fclose(f);
        one(buf, got);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

Test(fuzz_corpus, every_csv_input_is_parsed_or_refused_without_harm)
{
    cr_assert_geq(replay("tests/fuzz/corpus/csv", fuzz_csv_one), 5);
}

Test(fuzz_corpus, every_study_file_input_is_parsed_or_refused_without_harm)
{
    cr_assert_geq(replay("tests/fuzz/corpus/config", fuzz_config_one), 5);
}

Test(fuzz_corpus, every_predictions_input_is_read_or_refused_without_harm)
{
    cr_assert_geq(replay("tests/fuzz/corpus/predictions", fuzz_predictions_one), 5);
}

Test(fuzz_corpus, every_model_file_input_is_loaded_or_refused_without_harm)
{
    cr_assert_geq(replay("tests/fuzz/corpus/model", fuzz_model_one), 5);
}

Test(fuzz_corpus, every_csv_to_predict_is_predicted_or_refused_without_harm)
{
    cr_assert_geq(replay("tests/fuzz/corpus/predict_csv", fuzz_predict_csv_one), 5);
}
