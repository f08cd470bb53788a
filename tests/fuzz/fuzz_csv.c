/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_csv.c — libFuzzer target: the CSV reader on arbitrary bytes, then the
 * split into features and target for each task. `make fuzz` runs it.
 *
 * Also a property: the same bytes read in blocks (of 1..64 bytes, from the
 * input's last byte) give the same table, or the same error, as the text
 * parsed in place; a difference aborts.  The first byte picks the
 * delimiter (, ; tab) and how a column numeric but for a few cells is
 * read. */
#include "tunefold/dataset.h"
#include "src/table.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_table(const struct tune_table *a, const struct tune_table *b)
{
    if (a->n_rows != b->n_rows || a->n_cols != b->n_cols || a->checksum != b->checksum ||
        memcmp(a->data, b->data, a->n_rows * a->n_cols * sizeof *a->data) ||
        memcmp(a->row_line, b->row_line, a->n_rows * sizeof *a->row_line))
        return 0;
    for (size_t j = 0; j < a->n_cols; j++) {
        const struct tune_column *x = &a->cols[j], *y = &b->cols[j];
        if (strcmp(x->name, y->name) || x->kind != y->kind || x->n_levels != y->n_levels)
            return 0;
        for (size_t k = 0; k < x->n_levels; k++)
            if (strcmp(x->levels[k], y->levels[k]))
                return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tune_table *t = NULL, *b = NULL;
    struct tune_error err, eb;
    const char *text = (const char *)data;
    static const char delims[] = {',', ';', '\t'};
    struct tune_csv_options o = {
        .delimiter = delims[size ? data[0] / 4 % 3 : 0],
        .bad_numbers = (enum tune_bad_numbers)(size ? data[0] % 4 : 0),
    };
    int rc = tune_table_parse_csv_opts("fuzz.csv", text, size, &o, &t, &err);
    size_t block = size ? 1 + data[size - 1] % 64 : 1;
    int rcb = tune_table_parse_csv_block("fuzz.csv", text, size, &o, block, &b, &eb);
    if (rc != rcb || (rc && strcmp(err.msg, eb.msg)) || (!rc && !same_table(t, b)))
        abort();
    tune_table_free(b);
    if (rc == TUNE_OK) {
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
