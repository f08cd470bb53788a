/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_config.c — libFuzzer target: the study-file parser on arbitrary
 * bytes (NUL-terminated copy, as tune_config_load gives it). */
#include "tunefold/config.h"

#include <stdint.h>
#include <stdio.h>
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
        size_t choice;
        if (c->trainer && c->trainer->n_hparams <= 256)
            tune_config_resolve_params(c, "{\"C\": 0.5}", "--params", values, &err);
        /* several trainers: a configuration names one (the first here) */
        if (c->choose_trainer && c->max_hparams <= 256 &&
            strlen(c->choices[0].label) < 200) {
            char params[300];
            snprintf(params, sizeof params, "{\"trainer\": \"%s\", \"C\": 0.5}",
                     c->choices[0].label);
            tune_config_resolve_choice(c, params, "--params", &choice, values, &err);
        }
        tune_config_free(c);
    }
    free(text);
    return 0;
}
