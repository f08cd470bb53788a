/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sleeper.c — prints "sleeping", then sleeps SECONDS (argv[1], default 30)
 * and exits 0.  With "close" as argv[2] it first closes stdout and stderr,
 * so the runner sees end-of-file long before the program exits. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    double s = argc > 1 ? atof(argv[1]) : 30;
    printf("sleeping\n");
    fflush(stdout);
    if (argc > 2 && strcmp(argv[2], "close") == 0) {
        close(1);
        close(2);
    }
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
    return 0;
}
