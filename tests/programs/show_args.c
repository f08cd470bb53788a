/* SPDX-License-Identifier: GPL-3.0-or-later */
/* show_args.c — a score-mode trainer that tells what it was given: on
 * stderr, "argc N", then "arg I VALUE" for each argument, then
 * "env NAME=VALUE" for each TUNEFOLD_P_* variable (in the order of its
 * environment); on stdout the objective line {"objective": 1.5}. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
    fprintf(stderr, "argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        fprintf(stderr, "arg %d %s\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "TUNEFOLD_P_", 11) == 0)
            fprintf(stderr, "env %s\n", *e);
    printf("{\"objective\": 1.5}\n");
    return 0;
}
