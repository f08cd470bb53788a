/* fuzz_csv.c — libFuzzer target: the CSV reader on arbitrary bytes, then the
 * split into features and target for each task. `make fuzz` runs it. */
#include "tunefold/dataset.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tune_table *t = NULL;
    struct tune_error err;
    if (tune_table_parse_csv("fuzz.csv", (const char *)data, size, &t, &err) == TUNE_OK) {
        static const enum tune_task tasks[] = {TUNE_TASK_BINARY, TUNE_TASK_MULTICLASS,
                                               TUNE_TASK_REGRESSION};
        for (size_t i = 0; i < 3 && t->n_cols > 0; i++) {
            struct tune_dataset *ds = NULL;
            if (tune_dataset_from_table(t, t->cols[t->n_cols - 1].name, tasks[i], &ds, &err) ==
                TUNE_OK)
                tune_dataset_free(ds);
        }
        tune_table_free(t);
    }
    return 0;
}
