/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ignore_term.c — ignores SIGTERM, prints "ready", then waits forever:
 * only SIGKILL ends it. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    signal(SIGTERM, SIG_IGN);
    printf("ready\n");
    fflush(stdout);
    for (;;)
        pause();
}
