/* SPDX-License-Identifier: GPL-3.0-or-later */
/* exit_with.c — writes "exit_with: failing with status N" to stderr and
 * exits with status N (argv[1], default 3). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : 3;
    printf("about to fail\n");
    fprintf(stderr, "exit_with: failing with status %d\n", code);
    return code;
}
