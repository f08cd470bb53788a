/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_predictions.c — libFuzzer target: the predictions reader (what
 * `tunefold score` and external trainers' files go through) on arbitrary
 * bytes, for each task, with classes "0", "1", "2". */
#include "tunefold/dataset.h"
#include "tunefold/predictions.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const classes[] = {"0", "1", "2"};
    static const struct {
        enum tune_task task;
        size_t k;
    } cases[] = {{TUNE_TASK_BINARY, 2}, {TUNE_TASK_MULTICLASS, 3}, {TUNE_TASK_REGRESSION, 0}};
    struct tune_table *t = NULL;
    struct tune_error err;
    if (tune_table_parse_csv("fuzz.csv", (const char *)data, size, &t, &err) != TUNE_OK)
        return 0;
    for (size_t i = 0; i < 3; i++) {
        struct tune_predictions p;
        if (tune_predictions_from_table(t, cases[i].task, cases[i].k,
                                        cases[i].k ? classes : NULL, 0, NULL, NULL, &p,
                                        &err) == TUNE_OK)
            tune_predictions_release(&p);
    }
    tune_table_free(t);
    return 0;
}
