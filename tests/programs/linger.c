/* SPDX-License-Identifier: GPL-3.0-or-later */
/* linger.c — leaves a child behind.  Forks a child that sleeps 30 s with
 * stdout and stderr still open (so the pipes stay open after this program
 * exits); prints "child PID" and exits 0 at once.
 *   linger          the child stays in the process group
 *   linger escape   the child calls setsid() first (out of the group's
 *                   reach); the parent prints its pid only after that. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int escape = argc > 1 && strcmp(argv[1], "escape") == 0;
    int p[2];
    if (pipe(p) != 0)
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        if (escape)
            setsid();
        char c = 1;
        if (write(p[1], &c, 1) != 1)
            _exit(1);
        struct timespec ts = {30, 0};
        while (nanosleep(&ts, &ts) != 0)
            ;
        _exit(0);
    }
    char c;
    if (read(p[0], &c, 1) != 1)
        return 1;
    printf("child %ld\n", (long)pid);
    return 0;
}
