/* SPDX-License-Identifier: GPL-3.0-or-later */
/* predictions.c — allocation of the one predictions layout shared by every
 * task (see tunefold/trainer.h). */
#include "tunefold/trainer.h"

#include <stdlib.h>
#include <string.h>

int tune_predictions_init(struct tune_predictions *p, enum tune_task task, size_t n,
                          size_t n_classes, int with_proba, struct tune_error *err)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    size_t rows = n ? n : 1;
    if (task == TUNE_TASK_CLUSTERING) {
        /* cluster ids, each row's squared distance to its centre, and (when
         * asked) a one-hot membership per cluster */
        p->value = calloc(rows, sizeof *p->value);
        if (!p->value)
            goto oom;
    }
    if (task == TUNE_TASK_REGRESSION) {
        p->value = calloc(rows, sizeof *p->value);
        if (!p->value)
            goto oom;
        return TUNE_OK;
    }
    p->n_classes = n_classes;
    p->label = calloc(rows, sizeof *p->label);
    if (!p->label)
        goto oom;
    if (with_proba) {
        p->proba = calloc(rows * (n_classes ? n_classes : 1), sizeof *p->proba);
        if (!p->proba)
            goto oom;
    }
    return TUNE_OK;
oom:
    tune_predictions_release(p);
    return tune_error_set(err, TUNE_ENOMEM, "out of memory for %zu predictions", n);
}

void tune_predictions_release(struct tune_predictions *p)
{
    if (!p)
        return;
    free(p->label);
    free(p->proba);
    free(p->value);
    memset(p, 0, sizeof *p);
}
