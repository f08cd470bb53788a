/* SPDX-License-Identifier: GPL-3.0-or-later */
/* task.c — the names of the learning tasks (tunefold/dataset.h).
 *
 * One table maps each `enum tune_task` to the name a study file uses
 * ("binary", "multiclass", "regression", "clustering").  Invariants: names
 * are lower case and matched exactly (no case folding: "Binary" is not a
 * task), and the mapping is one to one, so a name written by
 * tune_task_name() reads back with tune_task_parse(). */
#include "tunefold/dataset.h"

#include <string.h>

static const struct {
    const char *name;
    enum tune_task task;
} task_names[] = {
    {"binary", TUNE_TASK_BINARY},
    {"multiclass", TUNE_TASK_MULTICLASS},
    {"regression", TUNE_TASK_REGRESSION},
    {"clustering", TUNE_TASK_CLUSTERING},
};

const char *tune_task_name(enum tune_task task)
{
    for (size_t i = 0; i < sizeof task_names / sizeof task_names[0]; i++)
        if (task_names[i].task == task)
            return task_names[i].name;
    return "unknown";
}

enum tune_task tune_task_parse(const char *name)
{
    if (name)
        for (size_t i = 0; i < sizeof task_names / sizeof task_names[0]; i++)
            if (strcmp(task_names[i].name, name) == 0)
                return task_names[i].task;
    return (enum tune_task)0;
}
