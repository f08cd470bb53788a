/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trainer_score.c — a score-mode trainer for the external-trainer tests.
 *
 * Reads x and y (--x=V --y=V, or TUNEFOLD_P_X / TUNEFOLD_P_Y) and evaluates
 *   f(x, y) = (x - 1.5)^2 + (y + 0.5)^2 + 0.25      (minimum 0.25 at (1.5, -0.5))
 * It prints five intermediate lines {"step": S, "value": f * (1 + 1/(S+1))}
 * for S = 0, 10, ..., 40, a line that is not JSON, then the objective line
 *   {"objective": f, "metrics": {"x_error": |x - 1.5|, "y_error": |y + 0.5|}}
 * --fault=NAME (see faults.h) and these of its own:
 *   none_line    prints no objective line at all
 *   text         plain text for the regex options instead of JSON:
 *                "step S loss V" lines and "final objective: F"
 *   nan          {"objective": "nan"}: a non-numeric objective
 *   null         {"objective": null}
 *   twice        a first objective line with f + 100, then the right one
 *                (the last line counts)
 *   params       prints the content of the TUNEFOLD_PARAMS file on stderr
 *                and the TUNEFOLD_* variables it was given, then behaves */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS in faults.h */
#include "faults.h"

#include <math.h>

int main(int argc, char **argv)
{
    const char *fault = tu_param(argc, argv, "fault", "TUNEFOLD_P_FAULT");
    tu_apply_fault(fault, tu_param(argc, argv, "pidfile", "TUNEFOLD_P_PIDFILE"));
    if (!fault)
        fault = "none";
    const char *xs = tu_param(argc, argv, "x", "TUNEFOLD_P_X");
    const char *ys = tu_param(argc, argv, "y", "TUNEFOLD_P_Y");
    if (!xs || !ys) {
        fprintf(stderr, "trainer_score: need x and y\n");
        return 2;
    }
    char *end1, *end2;
    double x = strtod(xs, &end1), y = strtod(ys, &end2);
    if (*end1 || *end2) {
        fprintf(stderr, "trainer_score: x and y must be numbers, got '%s' and '%s'\n", xs, ys);
        return 2;
    }
    if (strcmp(fault, "params") == 0) {
        const char *path = getenv("TUNEFOLD_PARAMS");
        FILE *f = path ? fopen(path, "r") : NULL;
        int c;
        fprintf(stderr, "params file: ");
        while (f && (c = getc(f)) != EOF)
            fputc(c, stderr);
        if (f)
            fclose(f);
        fprintf(stderr, "\n");
        const char *names[] = {"TUNEFOLD_TRIAL", "TUNEFOLD_SEED", "TUNEFOLD_TASK",
                               "TUNEFOLD_WORKDIR", NULL};
        for (int i = 0; names[i]; i++)
            fprintf(stderr, "%s=%s\n", names[i], getenv(names[i]) ? getenv(names[i]) : "(unset)");
    }
    double f = (x - 1.5) * (x - 1.5) + (y + 0.5) * (y + 0.5) + 0.25;
    int text = strcmp(fault, "text") == 0;
    for (int s = 0; s <= 40; s += 10) {
        double v = f * (1 + 1.0 / (s + 1));
        if (text)
            printf("step %d loss %.17g\n", s, v);
        else
            printf("{\"step\": %d, \"value\": %.17g}\n", s, v);
    }
    printf("training finished\n");
    if (strcmp(fault, "none_line") == 0)
        return 0;
    if (text) {
        printf("final objective: %.17g\n", f);
    } else if (strcmp(fault, "nan") == 0) {
        printf("{\"objective\": \"nan\"}\n");
    } else if (strcmp(fault, "null") == 0) {
        printf("{\"objective\": null}\n");
    } else {
        if (strcmp(fault, "twice") == 0)
            printf("{\"objective\": %.17g}\n", f + 100);
        printf("{\"objective\": %.17g, \"metrics\": {\"x_error\": %.17g, \"y_error\": %.17g}}\n",
               f, fabs(x - 1.5), fabs(y + 0.5));
    }
    return 0;
}
