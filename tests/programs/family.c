/* SPDX-License-Identifier: GPL-3.0-or-later */
/* family.c — a program that waits for a child of its own, as
 * `sh -c 'svm-train ... & wait'` does: the shape of a trainer whose real work
 * runs in a grandchild of tunefold.
 *
 *   family PIDFILE [term|ignore]
 *
 * Forks a child that writes "PID PGID\n" to PIDFILE (written to PIDFILE.tmp
 * and renamed, so a reader never sees half of it) and then sleeps until a
 * signal ends it; this program waits for that child and exits with its
 * status.
 *   term     the child, on SIGTERM, writes "TERM\n" to PIDFILE.term and
 *            exits; this program ignores SIGTERM and goes on waiting for it
 *            (so only the child decides when the family is done)
 *   ignore   both ignore SIGTERM (only SIGKILL ends them)
 * Other arguments (tunefold's --name=value) are ignored. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char term_path[4096];

static void on_term(int sig)
{
    (void)sig;
    int fd = open(term_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        ssize_t n = write(fd, "TERM\n", 5);
        (void)n;
        close(fd);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: family PIDFILE [term|ignore]\n");
        return 2;
    }
    const char *pidfile = argv[1];
    int term = 0, ignore = 0;
    for (int i = 2; i < argc; i++) {
        term |= strcmp(argv[i], "term") == 0;
        ignore |= strcmp(argv[i], "ignore") == 0;
    }
    snprintf(term_path, sizeof term_path, "%s.term", pidfile);
    if (term || ignore)
        signal(SIGTERM, SIG_IGN);
    int ready[2];
    if (pipe(ready) != 0)
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        if (term) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_term;
            sigemptyset(&sa.sa_mask);
            sigaction(SIGTERM, &sa, NULL);
        }
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
        FILE *f = fopen(tmp, "w");
        if (!f)
            _exit(1);
        fprintf(f, "%ld %ld\n", (long)getpid(), (long)getpgrp());
        if (fclose(f) != 0 || rename(tmp, pidfile) != 0)
            _exit(1);
        char c = 1;
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char c;
    if (read(ready[0], &c, 1) != 1)
        return 1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
