/* SPDX-License-Identifier: GPL-3.0-or-later */
/* predict.c — serve a model made by `tunefold fit` from C, without the CLI.
 *
 * Reads rows from standard input, one per line, the values comma-separated
 * (plain values, no CSV quoting) in the model's input order (`tunefold
 * model MODEL` lists the columns), and prints one prediction per line in
 * the format of `tunefold predict` without its header: "label,score"
 * (binary), "label,proba..." (multiclass), "prediction" (regression) or
 * "cluster".  An empty value is missing; a text column's value is looked up
 * among its training levels (-1, all zeros, when training never saw it).
 *
 * Build against the installed library (make install):
 *   cc -std=c11 -O2 -o predict predict.c -ltunefold \
 *      $(pkg-config --libs gsl nlopt sqlite3 libcjson) -lm -lpthread
 * Run:
 *   echo '17.99,10.38,...' | ./predict model.tfm                          */
#define _POSIX_C_SOURCE 200809L
#include <tunefold/tunefold.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct tune_error err;
    struct tune_model *m;
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODEL < rows.csv\n", argv[0]);
        return 2;
    }
    tune_init();
    if (tune_model_load(argv[1], NULL, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    struct tune_model_info info;
    struct tune_predictions p;
    tune_model_get_info(m, &info);
    double *row = malloc((info.n_inputs + 1) * sizeof *row);
    tune_model_predictions_init(m, 1, &p, &err);
    char line[1 << 16];
    for (size_t n = 1; fgets(line, sizeof line, stdin); n++) {
        char *cell = line;
        line[strcspn(line, "\r\n")] = '\0';
        for (size_t j = 0; j < info.n_inputs; j++) {
            char *next = strchr(cell, ',');
            if (next)
                *next++ = '\0';
            if (!*cell)
                row[j] = NAN;                               /* missing */
            else if (tune_model_input_is_categorical(m, j))
                row[j] = (double)tune_model_level_code(m, j, cell); /* -1: unseen */
            else
                row[j] = strtod(cell, NULL);
            cell = next ? next : cell + strlen(cell);
        }
        if (tune_model_predict_row(m, row, &p, &err)) {
            fprintf(stderr, "line %zu: %s\n", n, err.msg);
            continue;
        }
        if (info.task == TUNE_TASK_REGRESSION) {
            printf("%.17g\n", p.value[0]);
        } else if (info.task == TUNE_TASK_CLUSTERING) {
            printf("%d\n", p.label[0]);
        } else {
            printf("%s", tune_model_class_name(m, (size_t)p.label[0]));
            for (size_t k = info.task == TUNE_TASK_BINARY; k < info.n_classes; k++)
                printf(",%.17g", p.proba[k]);
            printf("\n");
        }
    }
    tune_predictions_release(&p);
    free(row);
    tune_model_free(m);
    return 0;
}
