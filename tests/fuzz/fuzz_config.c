/* fuzz_config.c — libFuzzer target: the study-file parser on arbitrary
 * bytes (NUL-terminated copy, as tune_config_load gives it). */
#include "tunefold/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct tune_study_config *c = NULL;
    struct tune_error err;
    if (tune_config_parse("dir/fuzz.json", text, &c, &err) == TUNE_OK) {
        double values[256];
        if (c->trainer->n_hparams <= 256)
            tune_config_resolve_params(c, "{\"C\": 0.5}", "--params", values, &err);
        tune_config_free(c);
    }
    free(text);
    return 0;
}
